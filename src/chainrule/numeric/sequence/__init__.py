"""Sequence kernels: embedding, RNN, LSTM, one attention head and gradient clipping.

Each kernel is a pair of plain functions, ``forward(...) -> (out, cache)`` and
``backward(dout, cache) -> (d_input..., grads)``, batch first: sequences (m, T, n), token ids
(m, T). Every one has a textbook path in the course's form beside its fast path.
"""
