"""Reading a study's eligibility text: splitting it into bullets and understanding them."""
