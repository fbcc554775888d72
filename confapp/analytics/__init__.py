"""Analytics: the organiser dashboard, its charts, the stats API and the funders report."""
