"""The public side: the anonymous reporting form, the receipt, and the reporter's mailbox."""
