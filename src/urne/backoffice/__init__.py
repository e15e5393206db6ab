"""The back office's staff: who reaches what (`access`), and the admin pages built on it."""
