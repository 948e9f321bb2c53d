"""Reports for finance departments: pure tables from the views, then charts, HTML and XLSX."""
