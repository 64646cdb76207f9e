"""The Hypothesis explorer: random but reproducible runs of the generated
kernel, with swarm testing and shrinking.

Importing this package does not import Hypothesis; only `explore.search`
does, so ``ccrverify check`` stays light. Use the engine through the registry
(``ccrverify.engines.engine("explore")``) or directly::

    from ccrverify.explore.search import explore
    result = explore(compiled, Request(properties=("NoLostAckedMail",), seed=0))
"""
