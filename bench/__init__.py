"""`make bench`: what the product costs, measured side by side with the best this machine does."""
