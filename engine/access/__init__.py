"""People and permissions: users, roles per instance, and the policy every page and API call asks."""
from engine.access.policy import ACTIONS, ANONYMOUS, ROLES, User, can, can_read, least_role

__all__ = ["ACTIONS", "ANONYMOUS", "ROLES", "User", "can", "can_read", "least_role"]
