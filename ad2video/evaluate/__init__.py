"""Evaluation harness: per-video metrics and the HTML report for raters (`ad2video eval`)."""
