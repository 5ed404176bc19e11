"""The bottom layer: parameter kinds (``core.params``) and the text catalog (``core.text``).

Nothing here imports any other package of the project, so every layer above may use it.
"""
