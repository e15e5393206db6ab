"""The vote: scrutins as Belenios elections, the booth, the ballot box, receipts, the public
board and turnout (see `urne.voting.models` for what the voting server holds)."""
