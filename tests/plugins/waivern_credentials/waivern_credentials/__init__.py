"""Finds credentials written into text: a Waivern plug-in with its own message schemas."""
