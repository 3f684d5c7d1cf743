echo {{text}}
