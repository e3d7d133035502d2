# Secrets automatically injected at runtime
@agent.on_message
async def handle_message(message):
    # API key available via environment
    api_key = os.getenv("OPENAI_API_KEY")
    # Or via secrets API
    api_key = await agent.secrets.get("api-key")
