from swiftclaw import Agent
agent = Agent(name="my-agent")
# Get secret
api_key = await agent.secrets.get("api-key")
# Use secret
client = OpenAI(api_key=api_key)
