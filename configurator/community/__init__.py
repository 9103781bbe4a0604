"""The community: a gallery of shoppers' designs under the merchant's moderation, votes, credit for
remixes, and an idea board whose followers hear when the shop decides."""
