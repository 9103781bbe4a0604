"""Partners: other sites that embed the configurator, known by a publishable key and their origins."""
