"""Where model weights already live on this machine: the Ollama store and the Hugging Face hub
cache. Locators only (paths and integrity checks); nothing here loads a model."""
