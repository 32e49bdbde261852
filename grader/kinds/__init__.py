"""Check kinds: one package per `driver:` of grading.yml (model, agent request, judge,
description, advice), found through grader/kinds/registry.py."""
