"""Tooling of the Vietnamese edition of d2l's Transposed Convolution section."""
