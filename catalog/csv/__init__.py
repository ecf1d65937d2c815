"""CSV files staff exchange with the shop: products with their variants, and stock.

Imports are all or nothing: every row is checked first, and a file with any bad row is
refused with the row numbers and reasons, storing nothing. Files are UTF-8, with or
without the byte-order mark spreadsheet programs add. Row numbers count the header as
row 1, as a spreadsheet shows them.
"""
