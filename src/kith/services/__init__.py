"""Services: one module per capability, plain functions over a workspace Session."""
