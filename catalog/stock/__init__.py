"""Units in the warehouses: holding, releasing and moving them, and the statements that
change a stock row in one round trip."""
