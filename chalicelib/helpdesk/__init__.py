"""The help desk: desks, teams of agents, tickets and their threads, assignment, customer emails."""
