"""Time and delivery: who is due when (pure), and the sweep that sends their daily tip."""
