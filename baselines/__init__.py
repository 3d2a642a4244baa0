"""Built-in baselines (installed as ``suite.baselines``).

One module per method, each an ``nn.Module`` built from PyG layers and
registered with :func:`suite.method.register_method`; the registry imports
these modules when it is first read. All are trained by :mod:`suite.loop`.
"""
