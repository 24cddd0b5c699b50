"""`raqib run`: one asyncio process with the scheduler, the pipeline and delivery."""
