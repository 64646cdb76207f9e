"""ccrverify: a model checker for failover protocols.

A spec (specs/*.py) builds an inert model IR; engines (explicit enumeration,
Z3, Hypothesis) check its properties and return engine-independent results.
"""

__version__ = "0.1.0"
