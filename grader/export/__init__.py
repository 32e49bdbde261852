"""Exports of the course suite: what Gradescope runs, and what students may see."""
