"""The Hypothesis explorer: random but reproducible runs of the generated
kernel, with swarm testing and shrinking (issue 5).

Importing this package does not import Hypothesis; only `explore.search`
does, so ``ccrverify check`` stays light. Use::

    from ccrverify.explore.search import explore
    result = explore(compiled, ["NoLostAckedMail"], ExploreOptions(seed=0))
"""

from ccrverify.explore.options import ExploreOptions

__all__ = ["ExploreOptions"]
