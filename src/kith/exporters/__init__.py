"""Exports to other tools' formats: vCard 4.0, CSV, an .ics of agenda actions."""
