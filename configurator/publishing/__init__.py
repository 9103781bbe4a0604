"""Publishing a catalog: what a new version would change for saved designs and open carts, the
brand-change guard, and the one path `atelier rules publish` and the admin API take."""
