"""The Z3 engines: a `CompiledModel` as a transition system, and what proves or
refutes properties of it.

z3api (the only module importing z3), encode (the transition system),
common (unrollings, counterexamples, results), bmc, kinduction, spacer (PDR),
certificate (SMT-LIB proofs and their independent check), printer (formulas
in the model's vocabulary), houdini, synthesis (knob boxes), commands (CLI).
"""
