"""The console screen (Textual). Nothing outside this package imports it.

`console.ui.app.run_app(args, ctx)` is what the bare command runs; everything the panes
show comes from immutable snapshots built in worker threads (`console.ui.view_model`).
"""
