"""Reports: how results are shown to people and handed to other tools."""
