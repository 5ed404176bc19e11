"""Custom surfaces from a formula the user types, e.g. ``(1-x)**2 + 100*(y-x**2)**2``.

One module per job, in the order a formula goes through them:

- ``parse``: text → a small whitelisted tree (no ``eval``; limits on length, tokens, nesting);
- ``check``: the tree evaluated with NumPy on a coarse grid of the plot range, refusing a
  formula that is finite nowhere there, before anything expensive;
- ``symbolic``: the tree → an unevaluated sympy expression, constants in float64;
- ``derivatives``: forward-mode derivative programs for value, gradient and Hessian, run with
  NumPy;
- ``latex``: the tree → LaTeX, as typed;
- ``surface``: ``make_expr_surface``, which strings them together into a ``Surface``.

Only ``symbolic`` and ``derivatives`` import sympy. This package's ``__init__`` imports nothing,
so that importing ``surfaces.formula.parse`` stays cheap.
"""
