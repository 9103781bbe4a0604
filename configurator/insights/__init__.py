"""What shoppers and orders say about each product, counted per day by a periodic task: option
popularity, options ordered together, the funnel, the options rules refused, and trends."""
