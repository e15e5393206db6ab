"""The site's base, below every app: visitor errors and their pages, dates as the portal writes
them, the middleware that shows an error a view lets through. It imports no app of urne's, so
that every app (campaign, accounts, support...) may import it without a cycle."""
