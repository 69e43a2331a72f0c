"""The derivation scripts: each runs moves and rules through the engine, so every line is
computed from the one before and proven when it is made.

- :mod:`.reference`: the reference derivations [1]-[6], ln and layers, scripted move by move;
- :mod:`.pair`: the same set for any activation and loss of the catalogue or from text;
- :mod:`.softmax`, :mod:`.softmax_layer`: the softmax Jacobian and dZ[L] = A[L] - Y;
- :mod:`.layers`: the layer equations of a network, proven entry by entry;
- :mod:`.expression`: the derivative of any expression, rule by rule.
"""
