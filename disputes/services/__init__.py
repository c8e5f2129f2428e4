"""Business rules as plain functions, one module per concern; views, admin actions, the API and tasks call them."""
