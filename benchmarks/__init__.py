"""Speed and scale figures for GutBone Daily: `python -m benchmarks` prints them all."""
