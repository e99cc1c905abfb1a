"""Reports: award reports in HTML, PDF and XLSX, with sensitivity charts."""
