"""What a screen or a command needs, without Textual: settings, the connection (or the demo),
loading with its fallbacks, edits and the audit journal."""
