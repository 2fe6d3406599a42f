"""The portal's shared mechanisms, below every app that uses them (docs/architecture.md).

Each submodule is one idea with one home: `errors` (the error every service raises),
`schooldays` (the school calendar), `uploads` (checks every uploaded file passes),
`csv_safety` (cells of every CSV export), `home_cards` and `figures` (the registries the
home page and the trustees' dashboard read; apps plug in from their AppConfig.ready()) and
`scale` (the driver of the scale data set, which runs each app's own `scale.py`).

Nothing here imports an app of the portal: this package is the lowest layer.
"""
