"""The grading agent: runs where the student's programs run (a temp dir or a container).

Stdlib only, and every import inside the package is relative, so the folder can be
copied anywhere and started as `python3 -m <folder>`. It takes one check request as
JSON on stdin and prints one observation as JSON on stdout; student output never
reaches that stdout.
"""
