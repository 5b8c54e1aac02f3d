"""Realtime: WebSocket connections, subscriptions, presence and the change-event relay."""
