import os
agent = Agent(
    name="my-agent",
    model_api_key=os.getenv("OPENAI_API_KEY")
)
@agent.tool
async def query_database():
    db_url = os.getenv("DATABASE_URL")
    return await connect_and_query(db_url)
