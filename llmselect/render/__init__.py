"""Rendering a recommendation for people who read pages, not terminals.

``report_data`` gathers what the report shows (no plotting library needed, unit-testable);
``plots`` draws it with matplotlib (imported only on the ``report`` command path);
``html`` and ``markdown`` lay it out as one self-contained page or as Markdown + PNG files.
"""
