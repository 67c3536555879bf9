"""The provider's records in the admin: read, never written by hand."""


class ProviderOwned:
    """Seen here, never written by hand: no adding, no deleting, and an object's page is for
    reading (the list's actions still need the change permission)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request)
