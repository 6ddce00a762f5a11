"""ad2video: turn a marketplace listing into a narrated, captioned short video."""

__version__ = "0.1.0"
