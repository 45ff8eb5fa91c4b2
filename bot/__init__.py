"""GutBone Daily's Telegram side: commands, settings, and the wiring of everything else."""
