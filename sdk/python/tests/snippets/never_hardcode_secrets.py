# Bad: Hardcoded secret
api_key = "sk-abc123..."
# Good: Use environment variables
api_key = os.getenv("OPENAI_API_KEY")
# Better: Use secret store
api_key = await agent.secrets.get("api-key")
