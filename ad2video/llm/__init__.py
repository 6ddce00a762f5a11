"""The LLM gateway: named OpenAI-compatible endpoints, a provider chain with fallback, keys,
rate limits, a response cache, cost and tracing per call, versioned prompts and a judge.

Nothing here imports the `openai` SDK or OpenTelemetry at import time: the core install
renders offline without them (`pip install 'ad2video[llm]'` adds them).
"""
